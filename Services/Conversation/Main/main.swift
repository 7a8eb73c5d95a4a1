import ConversationService
import Foundation
import Runtime

exit(await ServiceMain.run(ConversationService.definition))
